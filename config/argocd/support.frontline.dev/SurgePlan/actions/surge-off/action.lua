-- Disable the plan with an on-call override (an annotation Git never
-- sets); it wins over every trigger until cleared with surge-auto.
if obj.metadata.annotations == nil then obj.metadata.annotations = {} end
local a = obj.metadata.annotations
a["support.frontline.dev/surge-override"] = "Never"
a["support.frontline.dev/surge-override-until"] = nil
a["support.frontline.dev/surge-override-reason"] = "turned off from Argo CD"
a["support.frontline.dev/changed-by"] = "argocd"
return obj
