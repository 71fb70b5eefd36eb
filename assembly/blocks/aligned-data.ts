// Clock-aligned meter values (J01, AlignedDataCtrlr): at every multiple of
// Interval seconds past midnight UTC, each EVSE's Measurands go out in a
// TransactionEvent (during a transaction) or a MeterValuesRequest (otherwise);
// at every multiple of TxEndedInterval, TxEndedMeasurands are kept for the Ended event.
import { TriggerReasonEnumType as TR, TransactionEventEnumType, ReadingContextEnumType as Ctx } from "../generated/ocpp";
import { NO_ENUM } from "../messages/codec";
import { utcNow } from "../core/clock";
import { sessions } from "./transactions";
import { Sample, sampled, sendMeterValues } from "./metering";
import { V } from "../generated/ocpp";
import { intOf, bitsOf } from "../device-model/model";
import { earliest } from "./transactions";

/** A timer on multiples of an interval past midnight UTC. */
class Aligned {
  nextAt: i64 = -1;   // UTC ms of the next boundary
  /** 0 when a boundary has passed (and the next is set), else ms until it, -1 when disabled. */
  due(intervalS: i64, enabled: bool): i64 {
    const iv = intervalS * 1000;
    if (iv <= 0 || !enabled) { this.nextAt = -1; return -1; }
    const u = utcNow();
    if (this.nextAt < 0 || this.nextAt - u > iv) this.nextAt = (u / iv + 1) * iv;
    if (u < this.nextAt) return this.nextAt - u;
    this.nextAt = (u / iv + 1) * iv;
    return 0;
  }
}

const send = new Aligned();
const endedSamples = new Aligned();

/** Sends and samples what is due; returns ms until the next boundary, or -1 when disabled. */
export function alignedTick(enabled: bool): i64 {
  if (endedSamples.due(intOf(V.AlignedTxEndedInterval), enabled) == 0) {
    for (let i = 0; i < sessions.length; i++) {
      const s = sessions[i];
      if (!s.active) continue;
      const bits = sampled(s.evse, bitsOf(V.AlignedTxEndedMeasurands), s.phases);
      if (bits) s.keepEndedSample(new Sample(s.evse, bits, Ctx.Sample_Clock, s.phases));
    }
  }
  const wait = send.due(intOf(V.AlignedInterval), enabled);
  if (wait != 0) return earliest(wait, endedSamples.nextAt >= 0 ? endedSamples.nextAt - utcNow() : -1);
  let busy = false;
  for (let i = 0; i < sessions.length; i++) if (sessions[i].active) busy = true;
  if (!(busy && intOf(V.AlignedSendDuringIdle))) {
    for (let i = 0; i < sessions.length; i++) {
      const s = sessions[i];
      if (s.active) {
        if (sampled(s.evse, bitsOf(V.AlignedMeasurands), s.phases)) {
          s.event(TransactionEventEnumType.Updated, TR.MeterValueClock, s.state, NO_ENUM, bitsOf(V.AlignedMeasurands), Ctx.Sample_Clock);
        }
      } else sendMeterValues(s.evse, bitsOf(V.AlignedMeasurands), Ctx.Sample_Clock, s.phases);
    }
  }
  return earliest(send.nextAt - utcNow(), endedSamples.nextAt >= 0 ? endedSamples.nextAt - utcNow() : -1);
}
