// The organizations the signed-in user may see, for choosing one (filters, forms) and naming
// them: as many as one page of the API gives.

import * as api from "../core/api.js";

const ORGANIZATIONS = "/organization?sort=name&per_page=500"; // the server's largest page

/** The organizations, or none when the user's rules show them none (a 403). */
export async function visibleOrganizations(signal) {
  try {
    return (await api.list(ORGANIZATIONS, { signal })).items;
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 403) return [];
    throw error;
  }
}
