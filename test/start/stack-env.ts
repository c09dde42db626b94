import { freePort } from '../../emulator/free-port';

const PORTS = [
  'FIRESTORE_PORT',
  'STORAGE_PORT',
  'FUNCTION_PORT',
  'FINALIZE_PORT',
  'SWEEP_PORT',
  'WEB_PORT',
  'PUBSUB_PORT',
  'DELIVER_PORT',
  'RELAY_PORT',
];

/** The environment of a developer's shell for `npm start`: ports of this test's own, its project and bucket
 * (`<project>-uploads`), and no emulator of the tests' setup. */
export async function stackEnv(localDir: string, project: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_DIR: localDir };
  for (const name of PORTS) env[name] = String(await freePort());
  Object.assign(env, { GOOGLE_CLOUD_PROJECT: project, FILES_BUCKET: `${project}-uploads` }, extra);
  delete env.FIRESTORE_EMULATOR_HOST;
  delete env.STORAGE_EMULATOR_HOST;
  return env;
}
