-- Return the plan to its triggers.
obj.spec.mode = "Auto"
obj.spec.activeUntil = nil
obj.spec.reason = "back to automatic from Argo CD"
if obj.metadata.annotations == nil then obj.metadata.annotations = {} end
obj.metadata.annotations["support.frontline.dev/changed-by"] = "argocd"
return obj
