// A small HTTP client for integration tests: JSON in and out, with or without a bearer token.
import { TEST_ADMIN, type TestServer } from "./server";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (no JSON encoding), for malformed-input tests. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export class Api {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body, redirect: "manual" });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: tests look at `text`.
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get = <T = any>(path: string, options?: RequestOptions) => this.request<T>("GET", path, options);
  post = <T = any>(path: string, body?: unknown, options?: RequestOptions) => this.request<T>("POST", path, { ...options, body });
  patch = <T = any>(path: string, body?: unknown, options?: RequestOptions) => this.request<T>("PATCH", path, { ...options, body });
  delete = <T = any>(path: string, options?: RequestOptions) => this.request<T>("DELETE", path, options);

  /** Logs in and returns the access token (fails the test on anything but 200). */
  async login(username: string, password: string, headers?: Record<string, string>): Promise<string> {
    const response = await this.post("/auth/login", { username, password }, { headers });
    if (response.status !== 200) throw new Error(`login as ${username} failed: ${response.status} ${response.text}`);
    return response.body.access_token as string;
  }

  adminToken(): Promise<string> {
    return this.login(TEST_ADMIN.username, TEST_ADMIN.password);
  }

  /** Registers a user (password `Passw0rd-<username>`) and returns its token and user. */
  async createUser(username: string, roles?: string[]): Promise<{ token: string; user: any; password: string }> {
    const password = `Passw0rd-${username}`;
    const created = await this.post("/auth/register", { username, email: `${username}@example.com`, password });
    if (created.status !== 201) throw new Error(`register ${username} failed: ${created.status} ${created.text}`);
    if (roles) {
      const admin = await this.adminToken();
      const patched = await this.patch(`/auth/users/${username}`, { roles }, { token: admin });
      if (patched.status !== 200) throw new Error(`roles of ${username}: ${patched.status} ${patched.text}`);
    }
    return { token: await this.login(username, password), user: created.body, password };
  }

  /** Audit rows matching filters, newest first, read through the audit API with an admin token. */
  async auditLogs(adminToken: string, filters: Record<string, string> = {}): Promise<any[]> {
    const query = new URLSearchParams({ hours: "720", limit: "1000", ...filters });
    const response = await this.get(`/audit/logs?${query}`, { token: adminToken });
    if (response.status !== 200) throw new Error(`audit logs: ${response.status} ${response.text}`);
    return response.body.logs;
  }
}

export function apiFor(server: TestServer): Api {
  return new Api(server.baseUrl);
}
