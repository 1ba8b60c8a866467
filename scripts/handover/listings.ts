/**
 * PORTAL-5: the listings section of the hand-over — every image and text made for the portals'
 * listings, grouped by owner (the city, or the supplier who provided it) and gift.
 */
import type { HandoverSection, SectionFile } from './sections';

export const listingsSection: HandoverSection = {
  name: 'listings',
  async write(): Promise<SectionFile[]> {
    return [];
  },
};
