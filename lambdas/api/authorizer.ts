// Placeholder so the CDK stack can bundle while this handler is being written.
export const handler = async (): Promise<never> => {
  throw new Error('not implemented yet');
};
