// OCPP-J RPC framework error codes (Part 4, table 8), spelled as the spec spells them.
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

export const ERROR_CODE_NAMES: StaticArray<string> = [
  "FormatViolation",
  "GenericError",
  "InternalError",
  "MessageTypeNotSupported",
  "NotImplemented",
  "NotSupported",
  "OccurrenceConstraintViolation",
  "PropertyConstraintViolation",
  "ProtocolError",
  "RpcFrameworkError",
  "SecurityError",
  "TypeConstraintViolation",
];
