# Writes the hostile configurations of the cli/hostile_* cases into DIR, at test time: they are
# too large to commit (and one is 50 MiB).
#   deep.json                        train.epochs is 200000 nested lists (400 KB: under the size
#                                    limit, so the depth limit is what refuses it)
#   huge.json                        train.epochs is a string of 50 MiB (over the 1 MiB limit)
#   resume/checkpoint-config.json    deep.json again, where train --resume reads its config
#   resume/checkpoint.npz            empty: resume reads the config before the checkpoint
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}/resume")
set(head "{\"model\": \"basic\", \"init\": \"pytorch\", \"train\": {\"epochs\": ")
string(REPEAT "[" 200000 open)
string(REPEAT "]" 200000 close)
file(WRITE "${DIR}/deep.json" "${head}${open}${close}}}")
file(WRITE "${DIR}/resume/checkpoint-config.json" "${head}${open}${close}}}")
file(WRITE "${DIR}/resume/checkpoint.npz" "")
string(REPEAT "x" 52428800 huge)
file(WRITE "${DIR}/huge.json" "${head}\"${huge}\"}}")
