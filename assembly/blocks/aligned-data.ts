// Clock-aligned meter values (J01, AlignedDataCtrlr): at every multiple of
// Interval seconds past midnight UTC, each EVSE's Measurands go out in a
// TransactionEvent (during a transaction) or a MeterValuesRequest (otherwise).
import { TriggerReasonEnumType as TR, TransactionEventEnumType, ReadingContextEnumType as Ctx } from "../generated/ocpp";
import { NO_ENUM } from "../messages/codec";
import { utcNow } from "../core/clock";
import { sessions } from "./transactions";
import { meterValue, sendMeterValues } from "./metering";
import { AlignedInterval, AlignedMeasurands, AlignedSendDuringIdle } from "../device-model/standard";

let nextAt: i64 = -1;   // UTC ms of the next boundary

/** Sends what is due; returns ms until the next boundary, or -1 when disabled. */
export function alignedTick(enabled: bool): i64 {
  const iv = AlignedInterval.int * 1000;
  if (iv <= 0 || !enabled) { nextAt = -1; return -1; }
  const u = utcNow();
  if (nextAt < 0 || nextAt - u > iv) nextAt = (u / iv + 1) * iv;
  if (u < nextAt) return nextAt - u;
  nextAt = (u / iv + 1) * iv;
  let busy = false;
  for (let i = 0; i < sessions.length; i++) if (sessions[i].active) busy = true;
  if (!(busy && AlignedSendDuringIdle.int)) {
    for (let i = 0; i < sessions.length; i++) {
      const s = sessions[i];
      if (s.active) {
        const mv = meterValue(s.evse, AlignedMeasurands.value, Ctx.Sample_Clock, s.phases);
        if (mv !== null) s.event(TransactionEventEnumType.Updated, TR.MeterValueClock, s.state, NO_ENUM, mv);
      } else sendMeterValues(s.evse, AlignedMeasurands.value, Ctx.Sample_Clock, s.phases);
    }
  }
  return nextAt - u;
}
