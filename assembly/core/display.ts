// Texts for the driver, through the HAL's display import.
import { display } from "../hal";
import { utf8, ptr } from "./bytes";

export function show(evse: i32, text: string): void {
  const b = utf8(text);
  display(evse, ptr(b), b.byteLength);
}
