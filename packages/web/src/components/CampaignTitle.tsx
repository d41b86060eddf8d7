/** A campaign's name: from its off-chain description (hash-checked), or "Campaign #n" until it loads. */
import { titleFromDescription, useDocument } from "../api/useDocument.ts";
import { useI18n } from "../i18n/i18n.tsx";

export function useCampaignTitle(campaign: { campaignId: string; description: { sha256: string; url: string } }) {
  const { t } = useI18n();
  const doc = useDocument(campaign.description);
  const fallback = t("campaign.numbered", { id: campaign.campaignId });
  if (doc && "text" in doc && doc.verified) return { title: titleFromDescription(doc.text), text: doc.text, fallback };
  return { title: fallback, text: undefined, fallback };
}

export function CampaignTitle({
  campaign,
}: {
  campaign: { campaignId: string; description: { sha256: string; url: string } };
}) {
  return <>{useCampaignTitle(campaign).title}</>;
}
