// Where rq_loc comes from (TS-0003 Table 7.1.2-2: "obtained over the Mcn reference point"). The CSE
// asks a LocationSource only when a policy that applies has a location context; an unknown location
// makes those contexts fail closed.
import { type IdContext, parseOriginator, type TransportContext, toSpRelativeOriginator } from '@m2msec/protocol';
import type { GeoLocation } from '../types.js';
import { isCountryCode } from './country.js';

export interface LocationQuery {
  /** The originator, normalised like AccessRequest.originator. */
  originator: string;
  transport: TransportContext;
}

export interface LocationSource {
  locate(q: LocationQuery): GeoLocation | undefined | Promise<GeoLocation | undefined>;
}

/** A location that a configuration states for one originator. */
export interface StaticLocation {
  latitude: number;
  longitude: number;
  /** ISO 3166-1 alpha-2; when absent it is looked up from the coordinates. */
  country?: string;
}

/**
 * A fixed map originator -> location (e.g. from the IN-CSE configuration, for stationary devices).
 * Keys are originator IDs in any form; they are normalised like request originators.
 */
export class StaticLocationSource implements LocationSource {
  private readonly byOriginator = new Map<string, GeoLocation>();

  constructor(locations: Readonly<Record<string, StaticLocation>>, ctx: IdContext) {
    for (const [id, loc] of Object.entries(locations)) {
      const key = toSpRelativeOriginator(parseOriginator(id), ctx);
      const { latitude, longitude, country } = loc;
      if (!(Number.isFinite(latitude) && latitude >= -90 && latitude <= 90))
        throw new RangeError(`location of '${id}': latitude must be a number in -90..90`);
      if (!(Number.isFinite(longitude) && longitude >= -180 && longitude <= 180))
        throw new RangeError(`location of '${id}': longitude must be a number in -180..180`);
      if (country !== undefined && !isCountryCode(country))
        throw new RangeError(`location of '${id}': '${country}' is not an ISO 3166-1 alpha-2 country code`);
      this.byOriginator.set(key, Object.freeze({ latitude, longitude, ...(country ? { country } : {}) }));
    }
  }

  locate(q: LocationQuery): GeoLocation | undefined {
    return this.byOriginator.get(q.originator);
  }
}
