/**
 * A Socket.IO client written by hand over a plain TCP socket: the websocket
 * upgrade, Engine.IO and Socket.IO framing, no library. For tests that need
 * what socket.io-client cannot do, such as a client that stops reading its
 * socket while the server keeps writing to it.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { WAIT_MS } from './harness.js';

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;

/** A masked client-to-server text frame (RFC 6455 section 5). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = randomBytes(4);
  const length =
    payload.length < 126
      ? Buffer.from([0x80 | payload.length])
      : payload.length < 65_536
        ? Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | 127]), bigEndian64(payload.length)]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | OPCODE_TEXT]), length, mask, masked]);
}

function bigEndian64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

export class RawClient {
  /** Text messages received so far (Engine.IO packets, e.g. `40{"sid":...}`, `42["event",{...}]`). */
  readonly messages: string[] = [];
  private buffered = Buffer.alloc(0);
  private upgraded = false;
  private waiters: (() => void)[] = [];
  private nextAckId = 0;
  /** The server's answer when it refused the upgrade. */
  private refused: string | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  /** Opens the websocket and the Socket.IO session; resolves once the server accepted the handshake. */
  static async connect(url: string, auth: { token: string; deviceId: string }): Promise<RawClient> {
    const { hostname, port } = new URL(url);
    const socket = tcpConnect({ host: hostname, port: Number(port) });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawClient(socket);
    socket.write(
      [
        'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1',
        `Host: ${hostname}:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
    await client.next((m) => m.startsWith('0{')); // Engine.IO open
    client.send(`40${JSON.stringify(auth)}`); // Socket.IO connect to the main namespace
    await client.next((m) => m.startsWith('40{'));
    return client;
  }

  send(packet: string): void {
    this.socket.write(textFrame(packet));
  }

  /** Sends a request and resolves with its acknowledgement. */
  async request(event: string, payload: unknown): Promise<unknown> {
    const id = this.nextAckId++;
    this.send(`42${id}${JSON.stringify([event, payload])}`);
    const ack = await this.next((m) => m.startsWith(`43${id}[`));
    return (JSON.parse(ack.slice(`43${id}`.length)) as unknown[])[0];
  }

  /** Resolves with the first message received (now or later) that matches. */
  next(match: (message: string) => boolean): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('raw client: no such message')), WAIT_MS);
      const check = (): void => {
        if (this.refused !== undefined) {
          clearTimeout(timer);
          reject(new Error(`raw client: upgrade refused: ${this.refused}`));
          return;
        }
        const hit = this.messages.find(match);
        if (hit === undefined) {
          this.waiters.push(check);
          return;
        }
        clearTimeout(timer);
        resolve(hit);
      };
      check();
    });
  }

  /** Stops reading the socket: what the server sends piles up in its buffers. */
  stopReading(): void {
    this.socket.pause();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    if (!this.upgraded) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffered.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101')) {
        this.refused = head;
        this.socket.destroy();
        for (const wake of this.waiters.splice(0)) wake();
        return;
      }
      this.upgraded = true;
      this.buffered = this.buffered.subarray(end + 4);
    }
    for (let frame = this.takeFrame(); frame; frame = this.takeFrame()) {
      if (frame.opcode === OPCODE_TEXT) this.messages.push(frame.payload.toString('utf8'));
      if (frame.opcode === OPCODE_CLOSE) this.socket.end();
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** One complete unmasked server frame off the buffer, or undefined if it has not fully arrived. */
  private takeFrame(): { opcode: number; payload: Buffer } | undefined {
    const b = this.buffered;
    if (b.length < 2) return undefined;
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    if (b.length < offset + length) return undefined;
    this.buffered = b.subarray(offset + length);
    return { opcode: b[0]! & 0x0f, payload: b.subarray(offset, offset + length) };
  }
}
