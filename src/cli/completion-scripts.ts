import type { completionShells } from "./command-options.js";

/**
 * The scripts `passgrant completion SHELL` prints. Each one only hands the words on the line to
 * `passgrant completion complete SHELL …` and shows what it prints back: every decision (commands,
 * options, values, operation ids, profiles) is made by passgrant itself, from its own option
 * definitions, so the scripts never go stale.
 *
 * The callback answers with a first line `words`, `partial` or `files`, then one candidate per
 * line (bash: the word; zsh: `word:description`; fish: `word<TAB>description`). `files` hands
 * over to the shell's own file name completion. `partial` candidates are the start of a word
 * (`-p page=`, the value still to type): bash and zsh add no space after them; fish adds none
 * after a candidate ending in `=` by itself. The line is never evaluated (`eval`), so nothing
 * typed on it runs when TAB is pressed.
 *
 * Hand-written rather than from a library: see the commit that added them. They need nothing
 * beyond the shell itself (bash 3.2+ without the bash-completion package, zsh with compinit,
 * fish 3).
 */
export const completionScripts: Record<(typeof completionShells)[number], string> = {
  bash: `# passgrant completion for bash. Load it from ~/.bashrc:
#   source <(passgrant completion bash)
_passgrant_complete() {
  local output line
  COMPREPLY=()
  # The line up to the cursor, split by passgrant (COMP_WORDS splits at = and :).
  output=$(passgrant completion complete bash "$COMP_WORDBREAKS" "\${COMP_LINE:0:COMP_POINT}" 2>/dev/null) || return 0
  # "files": nothing in COMPREPLY, so -o default completes file names.
  [[ \${output%%$'\\n'*} == files ]] && return 0
  if [[ $output == *$'\\n'* ]]; then
    while IFS= read -r line; do COMPREPLY+=("$line"); done <<< "\${output#*$'\\n'}"
  fi
  [[ \${output%%$'\\n'*} == partial ]] && compopt -o nospace 2>/dev/null
  # No candidate: offer nothing rather than file names (compopt needs bash 4).
  ((\${#COMPREPLY[@]})) || compopt +o default 2>/dev/null
  return 0
}
complete -o default -F _passgrant_complete passgrant
`,
  zsh: `#compdef passgrant
# passgrant completion for zsh. Load it from ~/.zshrc, after compinit:
#   source <(passgrant completion zsh)
_passgrant() {
  local -a output candidates
  output=("\${(@f)$(passgrant completion complete zsh -- "\${(@Q)words[2,CURRENT-1]}" "\${(Q)PREFIX}" 2>/dev/null)}")
  if [[ \${output[1]} == files ]]; then
    _files
  elif (( \${#output} > 1 )); then
    candidates=("\${(@)output[2,-1]}")
    if [[ \${output[1]} == partial ]]; then
      _describe -t values passgrant candidates -S ''
    else
      _describe -t values passgrant candidates
    fi
  else
    return 1
  fi
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _passgrant "$@"
else
  compdef _passgrant passgrant
fi
`,
  fish: `# passgrant completion for fish. Save it where fish finds it:
#   passgrant completion fish > ~/.config/fish/completions/passgrant.fish
function __passgrant_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l output (passgrant completion complete fish -- $words[2..-1] "$current" 2>/dev/null)
    or return
    if test "$output[1]" = files
        __fish_complete_path "$current"
    else
        printf '%s\\n' $output[2..-1]
    end
end
complete -c passgrant -f -a '(__passgrant_complete)'
`,
};
