import { randomUUID } from "node:crypto";
import type { components } from "../../generated/msx.js";

type Tenant = components["schemas"]["Tenant"];
type TenantCreate = components["schemas"]["TenantCreate"];
type TenantUpdate = components["schemas"]["TenantUpdate"];

/** A tenant as stored: the spec's model with its read-only fields writable by the store. */
type StoredTenant = { -readonly [K in keyof Tenant]-?: Exclude<Tenant[K], undefined> } & {
  numberOfChildren: number;
  suspended: boolean;
};

/** Tenant properties `sortBy` accepts. */
export const SORTABLE_FIELDS = [
  "name",
  "createdOn",
  "modifiedOn",
  "id",
  "externalId",
  "parentId",
  "description",
  "email",
  "url",
  "numberOfChildren",
] as const satisfies readonly (keyof Tenant)[];
export type SortField = (typeof SORTABLE_FIELDS)[number];

export interface PageQuery {
  readonly page: number;
  readonly pageSize: number;
  readonly parentId?: string;
  /** Only the tenants this predicate keeps (the caller's scope); default: all. */
  readonly visible?: (tenantId: string) => boolean;
  readonly sortBy?: SortField;
  readonly sortOrder: "asc" | "desc";
}

/** Why the store refused a write because of its limits. */
export type LimitReason = "too-many-tenants" | "tenant-too-large" | "store-full";

export type CreateResult =
  | { readonly ok: true; readonly tenant: Tenant }
  | {
      readonly ok: false;
      readonly reason: "parent-not-found" | "external-id-taken" | LimitReason;
    };

export type UpdateResult =
  | { readonly ok: true; readonly tenant: Tenant }
  | { readonly ok: false; readonly reason: "not-found" | LimitReason };

/** What the store may hold, so a long test run or a careless loop cannot exhaust memory. */
export interface StoreLimits {
  readonly maxTenants: number;
  /** Bytes of one tenant as JSON (UTF-8). */
  readonly maxTenantBytes: number;
  /** Bytes of every tenant together, as JSON (UTF-8). */
  readonly maxStoreBytes: number;
}

export type DeleteResult = "deleted" | "not-found" | "has-children";

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/**
 * The sandbox's tenants, in memory. Every method runs to completion synchronously, so concurrent
 * requests can interleave only between operations and no write is ever lost. The Map keeps
 * creation order, which is the default listing order.
 */
export class TenantStore {
  readonly #tenants = new Map<string, StoredTenant>();
  readonly #idsByExternalId = new Map<string, string>();
  /** Each tenant's size in bytes, kept so the total needs no recount. */
  readonly #bytes = new Map<string, number>();
  #totalBytes = 0;
  readonly #clock: () => number;
  readonly #limits: StoreLimits;

  constructor(clock: () => number, limits: StoreLimits) {
    this.#clock = clock;
    this.#limits = limits;
  }

  get limits(): StoreLimits {
    return this.#limits;
  }

  /** Bytes held: every tenant as JSON (UTF-8). The bound on memory the limits enforce. */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  create(input: TenantCreate, id: string = randomUUID()): CreateResult {
    const parentId = input.parentId ?? null;
    const parent = parentId === null ? undefined : this.#tenants.get(parentId);
    if (parentId !== null && !parent) return { ok: false, reason: "parent-not-found" };
    const externalId = input.externalId ?? null;
    if (externalId !== null && this.#idsByExternalId.has(externalId)) {
      return { ok: false, reason: "external-id-taken" };
    }
    if (this.#tenants.size >= this.#limits.maxTenants) {
      return { ok: false, reason: "too-many-tenants" };
    }
    const now = new Date(this.#clock()).toISOString();
    const tenant: StoredTenant = {
      id,
      name: input.name,
      parentId,
      externalId,
      description: input.description ?? null,
      url: input.url ?? null,
      image: input.image ?? null,
      email: input.email ?? null,
      createdOn: now,
      modifiedOn: now,
      suspended: false,
      numberOfChildren: 0,
    };
    const refused = this.#checkSize(tenant, 0);
    if (refused) return { ok: false, reason: refused };
    this.#tenants.set(id, tenant);
    this.#account(id, tenant);
    if (externalId !== null) this.#idsByExternalId.set(externalId, id);
    if (parent) parent.numberOfChildren += 1;
    return { ok: true, tenant: { ...tenant } };
  }

  get(id: string): Tenant | undefined {
    const tenant = this.#tenants.get(id);
    return tenant && { ...tenant };
  }

  getByExternalId(externalId: string): Tenant | undefined {
    const id = this.#idsByExternalId.get(externalId);
    return id === undefined ? undefined : this.get(id);
  }

  /** The tenants with these ids, in the order asked, unknown ids and repeats left out. */
  list(ids: readonly string[]): Tenant[] {
    return [...new Set(ids)].flatMap((id) => this.get(id) ?? []);
  }

  page(query: PageQuery): { contents: Tenant[]; totalItems: number } {
    let matching = [...this.#tenants.values()];
    const visible = query.visible;
    if (visible) matching = matching.filter((tenant) => visible(tenant.id));
    if (query.parentId !== undefined) {
      matching = matching.filter((tenant) => tenant.parentId === query.parentId);
    }
    if (query.sortBy !== undefined) {
      const field = query.sortBy;
      const direction = query.sortOrder === "desc" ? -1 : 1;
      // Array.prototype.sort is stable, so ties keep creation order.
      matching.sort((a, b) => direction * compareValues(a[field], b[field]));
    } else if (query.sortOrder === "desc") {
      matching.reverse();
    }
    const start = query.page * query.pageSize;
    return {
      contents: matching.slice(start, start + query.pageSize).map((tenant) => ({ ...tenant })),
      totalItems: matching.length,
    };
  }

  /**
   * Applies a TenantUpdate: a field left out keeps its value, an explicit `null` clears it.
   * Returns undefined when there is no such tenant.
   */
  update(id: string, input: TenantUpdate): UpdateResult {
    const current = this.#tenants.get(id);
    if (!current) return { ok: false, reason: "not-found" };
    const tenant: StoredTenant = {
      ...current,
      name: input.name,
      ...(input.description !== undefined && { description: input.description }),
      ...(input.url !== undefined && { url: input.url }),
      ...(input.image !== undefined && { image: input.image }),
      ...(input.email !== undefined && { email: input.email }),
      modifiedOn: new Date(this.#clock()).toISOString(),
    };
    const refused = this.#checkSize(tenant, this.#bytes.get(id) ?? 0);
    if (refused) return { ok: false, reason: refused };
    Object.assign(current, tenant);
    this.#account(id, current);
    return { ok: true, tenant: { ...current } };
  }

  delete(id: string): DeleteResult {
    const tenant = this.#tenants.get(id);
    if (!tenant) return "not-found";
    if (tenant.numberOfChildren > 0) return "has-children";
    this.#tenants.delete(id);
    this.#totalBytes -= this.#bytes.get(id) ?? 0;
    this.#bytes.delete(id);
    if (tenant.externalId !== null) this.#idsByExternalId.delete(tenant.externalId);
    const parent = tenant.parentId === null ? undefined : this.#tenants.get(tenant.parentId);
    if (parent) parent.numberOfChildren -= 1;
    return "deleted";
  }

  /**
   * Whether tenant `id` is `rootId` or below it (following `parentId`). The walk ends: a parent
   * must exist when its child is created and `parentId` never changes, so there is no cycle.
   */
  isWithin(id: string, rootId: string): boolean {
    let current = this.#tenants.get(id);
    while (current) {
      if (current.id === rootId) return true;
      current = current.parentId === null ? undefined : this.#tenants.get(current.parentId);
    }
    return false;
  }

  /** Tenants named exactly `name` (names need not be unique). */
  findByName(name: string): Tenant[] {
    return [...this.#tenants.values()].filter((t) => t.name === name).map((t) => ({ ...t }));
  }

  /** A copy of every tenant, in creation order. */
  snapshot(): Tenant[] {
    return [...this.#tenants.values()].map((tenant) => ({ ...tenant }));
  }

  get size(): number {
    return this.#tenants.size;
  }

  /** Whether `tenant` may be stored in place of one of `replacedBytes` bytes. */
  #checkSize(tenant: StoredTenant, replacedBytes: number): LimitReason | undefined {
    const bytes = sizeOf(tenant);
    if (bytes > this.#limits.maxTenantBytes) return "tenant-too-large";
    if (this.#totalBytes - replacedBytes + bytes > this.#limits.maxStoreBytes) return "store-full";
    return undefined;
  }

  #account(id: string, tenant: StoredTenant): void {
    const bytes = sizeOf(tenant);
    this.#totalBytes += bytes - (this.#bytes.get(id) ?? 0);
    this.#bytes.set(id, bytes);
  }
}

/** A tenant's size: its JSON in UTF-8, what it takes on the wire and, roughly, in memory. */
export function sizeOf(tenant: Tenant): number {
  return Buffer.byteLength(JSON.stringify(tenant));
}

/** Orders two property values; null sorts before any value. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return collator.compare(String(a), String(b));
}
