-- Disable the plan; it wins over every trigger until set back to Auto.
obj.spec.mode = "Off"
obj.spec.activeUntil = nil
obj.spec.reason = "turned off from Argo CD"
if obj.metadata.annotations == nil then obj.metadata.annotations = {} end
obj.metadata.annotations["support.frontline.dev/changed-by"] = "argocd"
return obj
