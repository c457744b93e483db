-- Force the plan Active for 30 minutes with an on-call override: an
-- annotation Git never sets, so the next sync does not undo it. It ends
-- by itself; then the plan follows its spec.mode again.
if obj.metadata.annotations == nil then obj.metadata.annotations = {} end
local a = obj.metadata.annotations
a["support.frontline.dev/surge-override"] = "Always"
a["support.frontline.dev/surge-override-until"] = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 30 * 60)
a["support.frontline.dev/surge-override-reason"] = "forced on from Argo CD"
a["support.frontline.dev/changed-by"] = "argocd"
return obj
