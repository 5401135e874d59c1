import { invoiceOrder } from '/work/main/lambdas/jobs/invoice.handler.ts';
import { defineJob } from '/work/main/lambdas/jobs/runner.ts';
function discountOf(data: Record<string, unknown>): number {
  return (data.discount as { percent: number }).percent;
}
export const handler = defineJob({ name: 'invoice', handle: async (event) => {
  discountOf(event.data);
  return invoiceOrder(event);
} });
