-- Force the plan Active for 30 minutes; it returns to automatic by itself.
obj.spec.mode = "On"
obj.spec.activeUntil = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 30 * 60)
obj.spec.reason = "forced on from Argo CD"
if obj.metadata.annotations == nil then obj.metadata.annotations = {} end
obj.metadata.annotations["support.frontline.dev/changed-by"] = "argocd"
return obj
