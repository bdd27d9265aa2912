export { lookup, lookupAll, resolve } from '@g/hub';
export { type Address, parseAddress } from './address.js';
export {
  BaseServer,
  type BaseServerOptions,
  type PoolLike,
  type ServerAddress,
  type SpawnOption,
} from './base-server.js';
export { type ConnectOptions, createConnection } from './connect.js';
export {
  type DatagramHandler,
  DatagramServer,
  type DatagramServerOptions,
} from './datagram-server.js';
export {
  HttpError,
  IncompleteRead,
  isSocketError,
  isSocketTimeout,
  PayloadTooLarge,
  SocketError,
  SocketTimeout,
} from './errors.js';
export { HttpRequest } from './http-request.js';
export { type Headers, HttpResponse } from './http-response.js';
export {
  type HttpHandler,
  HttpServer,
  type HttpServerOptions,
  type WebSocketHandler,
} from './http-server.js';
export { Reader } from './reader.js';
export { type CreateServerOptions, createServer, ServerSocket } from './server-socket.js';
export { type Data, type ShutdownHow, Socket, SocketFile } from './socket.js';
export { type StreamHandler, StreamServer, type StreamServerOptions } from './stream-server.js';
export { type Sender, UdpSocket, type UdpSocketOptions } from './udp.js';
export { ConcurrentObjectUseError } from './wait.js';
export {
  type ConnectWebSocketOptions,
  connectWebSocket,
  type Message,
  WebSocket,
} from './websocket.js';
