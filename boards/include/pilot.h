/*
 * The control pilot as an ADC sees it (IEC 61851-1 annex A): each sample is the pilot's high level in mV (and its
 * low level while the PWM runs), turned into states A-F. A state is entered within +-1 V of its nominal level and
 * kept within +-1.3 V (hysteresis); a level in no band is an error (state E), as is a missing diode (the low level
 * above -10 V under PWM in B, C or D, which holds until the pilot reads A: the EV was unplugged). A new state counts
 * after CW_PILOT_DEBOUNCE samples in a row.
 */
#ifndef CHARGEWASM_PILOT_H
#define CHARGEWASM_PILOT_H

#include <stdint.h>

enum { CW_PILOT_A, CW_PILOT_B, CW_PILOT_C, CW_PILOT_D, CW_PILOT_E, CW_PILOT_F };
#define CW_PILOT_DEBOUNCE 4

typedef struct {
  uint8_t state;       /* the debounced state */
  uint8_t candidate;   /* a different state being seen */
  uint8_t count;       /* samples in a row of the candidate */
  uint8_t no_diode;    /* a missing diode was found: E until A */
} cw_pilot;

void cw_pilot_init(cw_pilot *p);
/* One sample; 1 when the debounced state changed (then p->state is the new one). pwm: the PWM is on. */
int cw_pilot_sample(cw_pilot *p, int32_t high_mv, int32_t low_mv, int pwm);

#endif
