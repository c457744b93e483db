-- Resource actions offered in the Argo CD UI for a SurgePlan: on-call
-- overrides in annotations, which Git never sets.
local actions = {}
local override = ((obj.metadata or {}).annotations or {})["support.frontline.dev/surge-override"]
actions["surge-on"] = {disabled = override == "Always"}
actions["surge-off"] = {disabled = override == "Never"}
actions["surge-auto"] = {disabled = override == nil}
return actions
