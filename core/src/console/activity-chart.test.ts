import { describe, expect, it } from 'vitest';
import { activityChart, CHART_HOURS, hourSlots } from './activity-chart.ts';

const HOUR = 3_600_000;
const NOW = 1_000 * HOUR + 1_234;

describe('the activity chart', () => {
  it('has one slot per hour of the last seven days, oldest first, zero where nothing happened', () => {
    const slots = hourSlots([{ at: 1_000 * HOUR, received: 4, delivered: 3, failed: 1 }], NOW);
    expect(slots).toHaveLength(CHART_HOURS);
    expect(slots.at(-1)).toEqual({ at: 1_000 * HOUR, received: 4, delivered: 3, failed: 1 });
    expect(slots[0]).toEqual({ at: (1_000 - CHART_HOURS + 1) * HOUR, received: 0, delivered: 0, failed: 0 });
  });

  it('leaves out hours older than the week and says the totals in words', () => {
    const chart = activityChart(
      [
        { at: 100 * HOUR, received: 50, delivered: 50, failed: 0 },
        { at: 999 * HOUR, received: 7, delivered: 5, failed: 2 },
      ],
      NOW,
      'acme',
    ).text;
    expect(chart).toContain('Last 7 days: 7 received, 5 delivered, 2 failed.');
    expect(chart).toContain('<title id="activity-title">acme: received, delivered and failed per hour, last 7 days</title>');
    expect(chart.match(/<rect /g)).toHaveLength(1);
    // The axis tops out at a round number above the busiest hour.
    expect(chart).toMatch(/text-anchor="end">10<\/text>/);
  });

  it('escapes the label it is given', () => {
    expect(activityChart([], NOW, '<script>x</script>').text).not.toContain('<script>');
  });
});
