/** How long a one-time invitation link is valid (docs/sites.md, "Members"); shown on the Members page too. */
export const INVITE_DAYS = 7;
