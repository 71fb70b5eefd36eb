/*
 * The STM32F405 port of the station firmware (boards/include/mcu.h): 168 MHz from the internal oscillator through
 * the PLL (no board-specific crystal), SysTick every millisecond, the independent watchdog (about 4 s), and USART1
 * (board link), USART2 (the RS-485 meter bus) and USART3 (the RFID reader). Register-level, no vendor library.
 */
#include <stdint.h>

#include "mcu.h"
#include "usart.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define RCC_CR REG(0x40023800u)
#define RCC_PLLCFGR REG(0x40023804u)
#define RCC_CFGR REG(0x40023808u)
#define FLASH_ACR REG(0x40023C00u)
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define IWDG_KR REG(0x40003000u)
#define IWDG_PR REG(0x40003004u)
#define IWDG_RLR REG(0x40003008u)

#define CPU_HZ 168000000u
#define BOUNDED 100000u   /* polls of a ready flag before going on without it (QEMU models no RCC) */

static volatile uint32_t ticks;
void SysTick_Handler(void) { ticks++; }

/* HSI 16 MHz / M 16 * N 336 / P 2 = 168 MHz (Q 7: 48 MHz); AHB 168, APB1 42, APB2 84; 5 flash wait states. */
static void clocks(void) {
  FLASH_ACR = (1u << 8) | (1u << 9) | (1u << 10) | 5u;   /* prefetch, instruction and data caches, 5 WS */
  RCC_PLLCFGR = 16u | (336u << 6) | (0u << 16) | (0u << 22) | (7u << 24);   /* PLLSRC = HSI */
  RCC_CFGR = (5u << 10) | (4u << 13);                    /* PPRE1 /4, PPRE2 /2 */
  RCC_CR |= 1u << 24;                                    /* PLLON */
  for (uint32_t i = 0; i < BOUNDED && !(RCC_CR & (1u << 25)); i++) {}
  RCC_CFGR = (RCC_CFGR & ~3u) | 2u;                      /* SYSCLK = PLL */
  for (uint32_t i = 0; i < BOUNDED && (RCC_CFGR & 0xCu) != 0x8u; i++) {}
}

void mcu_init(void) {
  clocks();
  IWDG_KR = 0xCCCCu;           /* start: from here on only a reset stops it */
  IWDG_KR = 0x5555u;           /* unlock PR and RLR */
  IWDG_PR = 3u;                /* LSI 32 kHz / 32 */
  IWDG_RLR = 4095u;            /* about 4 s */
  IWDG_KR = 0xAAAAu;
  SYST_RVR = CPU_HZ / 1000u - 1u;
  SYST_CVR = 0;
  SYST_CSR = 7u;               /* processor clock, interrupt, enable */
  for (int n = 0; n < USARTS; n++) usart_init(n, n == MCU_METER ? 9600u : 115200u);
}

uint32_t mcu_ms(void) { return ticks; }
size_t mcu_uart_read(int uart, uint8_t *buf, size_t cap) { return usart_read(uart, buf, cap); }
void mcu_uart_write(int uart, const uint8_t *data, size_t len) { usart_write(uart, data, len); }
void mcu_watchdog_kick(void) { IWDG_KR = 0xAAAAu; }
void mcu_idle(void) { __asm__ volatile("wfi"); }
