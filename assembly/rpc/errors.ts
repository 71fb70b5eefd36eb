// OCPP-J RPC framework error codes (Part 4, table 8), spelled as the spec spells them.
import { say } from "../core/text";

export enum ErrorCode {
  FormatViolation,
  GenericError,
  InternalError,
  MessageTypeNotSupported,
  NotImplemented,
  NotSupported,
  OccurrenceConstraintViolation,
  PropertyConstraintViolation,
  ProtocolError,
  RpcFrameworkError,
  SecurityError,
  TypeConstraintViolation,
}

/** The code as a CALLERROR carries it (made from UTF-8 bytes when a CALLERROR is sent). */
export function errorCodeName(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.FormatViolation: return say("FormatViolation");
    case ErrorCode.GenericError: return say("GenericError");
    case ErrorCode.InternalError: return say("InternalError");
    case ErrorCode.MessageTypeNotSupported: return say("MessageTypeNotSupported");
    case ErrorCode.NotImplemented: return say("NotImplemented");
    case ErrorCode.NotSupported: return say("NotSupported");
    case ErrorCode.OccurrenceConstraintViolation: return say("OccurrenceConstraintViolation");
    case ErrorCode.PropertyConstraintViolation: return say("PropertyConstraintViolation");
    case ErrorCode.ProtocolError: return say("ProtocolError");
    case ErrorCode.RpcFrameworkError: return say("RpcFrameworkError");
    case ErrorCode.SecurityError: return say("SecurityError");
    default: return say("TypeConstraintViolation");
  }
}
