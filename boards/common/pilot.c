/* The control pilot's states from ADC samples (boards/include/pilot.h). */
#include "pilot.h"

static const int32_t NOMINAL[] = { 12000, 9000, 6000, 3000, 0, -12000 };
#define ENTER 1000
#define STAY 1300
#define DIODE_MAX -10000

void cw_pilot_init(cw_pilot *p) {
  p->state = p->candidate = CW_PILOT_A;
  p->count = p->no_diode = 0;
}

static int32_t distance(int32_t a, int32_t b) { return a > b ? a - b : b - a; }

/* The state one sample shows, given the state held (which keeps its wider band); *diode: no diode seen. */
static uint8_t classify(uint8_t held, int32_t high, int32_t low, int pwm, int *diode) {
  uint8_t s = CW_PILOT_E;
  if (distance(high, NOMINAL[held]) <= STAY) s = held;
  else for (uint8_t k = 0; k < 6; k++) if (distance(high, NOMINAL[k]) <= ENTER) s = k;
  *diode = pwm && s >= CW_PILOT_B && s <= CW_PILOT_D && low > DIODE_MAX;
  return *diode ? CW_PILOT_E : s;
}

int cw_pilot_sample(cw_pilot *p, int32_t high_mv, int32_t low_mv, int pwm) {
  int diode;
  uint8_t s = classify(p->state, high_mv, low_mv, pwm, &diode);
  if (p->no_diode && s != CW_PILOT_A) s = CW_PILOT_E;
  if (s == p->state) { p->count = 0; return 0; }
  if (s != p->candidate) { p->candidate = s; p->count = 0; }
  if (++p->count < CW_PILOT_DEBOUNCE) return 0;
  p->no_diode = s == CW_PILOT_E && (diode || p->no_diode);
  p->state = s;
  p->count = 0;
  return 1;
}
