-- Clear the on-call override: the plan follows its spec.mode (from Git).
if obj.metadata.annotations == nil then obj.metadata.annotations = {} end
local a = obj.metadata.annotations
a["support.frontline.dev/surge-override"] = nil
a["support.frontline.dev/surge-override-until"] = nil
a["support.frontline.dev/surge-override-reason"] = "override cleared from Argo CD"
a["support.frontline.dev/changed-by"] = "argocd"
return obj
