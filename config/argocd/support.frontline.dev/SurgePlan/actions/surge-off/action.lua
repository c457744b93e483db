-- Disable the plan with an on-call override (an annotation Git never
-- sets); it wins over every trigger until cleared with surge-auto.
local params = actionParams or {}
local reason = params["reason"]
if reason == nil or reason == "" then reason = "turned off from Argo CD" end
if obj.metadata.annotations == nil then obj.metadata.annotations = {} end
local a = obj.metadata.annotations
a["support.frontline.dev/surge-override"] = "Never"
a["support.frontline.dev/surge-override-until"] = nil
a["support.frontline.dev/surge-override-reason"] = reason
a["support.frontline.dev/changed-by"] = "argocd"
return obj
