/** The baseline for the cold-import bench: the smallest useful Lambda handler, bundled like the ingress. */
export const handler = async () => ({ statusCode: 200, body: 'hello' });
