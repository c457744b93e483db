-- Resource actions offered in the Argo CD UI for a SurgePlan: on-call
-- overrides in annotations, which Git never sets. Argo CD versions with
-- action parameters ask for the duration and the reason.
local actions = {}
local override = ((obj.metadata or {}).annotations or {})["support.frontline.dev/surge-override"]
actions["surge-on"] = {
  ["disabled"] = override == "Always",
  ["params"] = {{["name"] = "duration", ["default"] = "30m"}, {["name"] = "reason", ["default"] = ""}},
}
actions["surge-off"] = {
  ["disabled"] = override == "Never",
  ["params"] = {{["name"] = "reason", ["default"] = ""}},
}
actions["surge-auto"] = {["disabled"] = override == nil}
return actions
