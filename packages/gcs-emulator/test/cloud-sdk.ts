import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';

// Running Google's CLIs (gcloud storage, gsutil) offline against an emulator, at their defaults.

/** A Cloud SDK tool from PATH or the SDK's standard install paths. */
export function findSdkTool(tool: 'gcloud' | 'gsutil'): string {
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, tool)),
    ...['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk', join(homedir(), 'google-cloud-sdk')].map(
      (root) => join(root, 'bin', tool),
    ),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`${tool} not found (looked at ${candidates.join(', ')}): install the Google Cloud CLI`);
  return found;
}

/** The environment for gcloud in `work`: a private config that already knows it is not
 * on GCE (else it probes metadata.google.internal), any access token, the endpoint. */
export function gcloudEnv(work: string, emulatorUrl: string): NodeJS.ProcessEnv {
  const config = join(work, 'gcloud-config');
  mkdirSync(config, { recursive: true });
  writeFileSync(join(config, 'gce'), 'False');
  writeFileSync(join(work, 'token'), 'emulator-needs-no-real-token');
  return {
    PATH: process.env.PATH,
    HOME: work,
    CLOUDSDK_CONFIG: config,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE: `${emulatorUrl}/`,
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: join(work, 'token'),
    CLOUDSDK_CORE_PROJECT: 'emulator-tests',
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
  };
}

/** The environment for gsutil, which speaks only HTTPS to the JSON API: a boto config
 * pointing at `tlsPort` (a TLS front, see startTlsFront) and trusting its certificate,
 * no credentials (the emulator needs none). The gcloud wrapper would replace the CA
 * file with the system's, so the certificate is also gcloud's custom CA. */
export function gsutilEnv(work: string, tlsPort: number, certFile: string): NodeJS.ProcessEnv {
  const config = join(work, 'gsutil-config');
  mkdirSync(config, { recursive: true });
  writeFileSync(join(config, 'gce'), 'False');
  const boto = join(work, 'boto');
  writeFileSync(
    boto,
    [
      '[Credentials]',
      'gs_json_host = 127.0.0.1',
      `gs_json_port = ${tlsPort}`,
      '[Boto]',
      'https_validate_certificates = True',
      `ca_certificates_file = ${certFile}`,
      '[GSUtil]',
      'prefer_api = json',
      'default_project_id = emulator-tests',
      'software_update_check_period = 0',
      '',
    ].join('\n'),
  );
  return {
    PATH: process.env.PATH,
    HOME: work,
    BOTO_CONFIG: boto,
    CLOUDSDK_CONFIG: config,
    CLOUDSDK_CORE_PASS_CREDENTIALS_TO_GSUTIL: 'false',
    CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE: certFile,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
  };
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a tool to its end (SIGKILL after `timeoutMs`). */
export function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, input?: Buffer): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (piece: Buffer) => out.push(piece));
    child.stderr?.on('data', (piece: Buffer) => (stderr += piece.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr }));
    child.stdin?.end(input);
  });
}

/** Runs a tool and fails with its stderr unless it exits 0. */
export async function runOk(tool: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, input?: Buffer): Promise<Buffer> {
  const result = await runTool(tool, args, env, timeoutMs, input);
  if (result.code !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${result.code ?? result.signal}:\n${result.stderr}`);
  return result.stdout;
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (piece) => hash.update(piece))
      .once('error', reject)
      .once('end', () => resolve(hash.digest('hex')));
  });
}

export interface TlsFront {
  port: number;
  certFile: string;
  close(): Promise<void>;
}

/** A TLS front on loopback that passes bytes through to `targetPort`, with a
 * self-signed certificate for 127.0.0.1 made here by openssl. */
export async function startTlsFront(work: string, targetPort: number): Promise<TlsFront> {
  const keyFile = join(work, 'tls-key.pem');
  const certFile = join(work, 'tls-cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    {
      stdio: 'ignore',
    },
  );
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (front) => {
    const back = net.connect(targetPort, '127.0.0.1');
    for (const socket of [front, back]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    front.pipe(back).pipe(front);
    back.once('error', () => front.destroy());
    front.once('error', () => back.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    certFile,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
