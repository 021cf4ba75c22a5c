using System.CommandLine;
using OpenVdi.Cli.CommandLine;
using OpenVdi.Cli.Output;

namespace OpenVdi.Cli.Commands;

/// <summary>
/// <c>vdi completion bash|zsh</c>: prints the shell script that makes Tab complete <c>vdi</c>'s commands, options and
/// values. The script asks <c>vdi</c> itself (System.CommandLine's <c>[suggest]</c> directive), so it is never out
/// of date. Install: <c>vdi completion bash &gt;&gt; ~/.bashrc</c>, or <c>source &lt;(vdi completion bash)</c>.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # vdi: Tab completion for bash (asks 'vdi' itself for the candidates)
        _vdi_complete() {
            local IFS=$'\n'
            COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _vdi_complete vdi
        """;

    private const string Zsh = """
        # vdi: Tab completion for zsh (asks 'vdi' itself for the candidates)
        _vdi_complete() {
            local -a candidates
            candidates=("${(@f)$(${words[1]} "[suggest:${#BUFFER}]" "$BUFFER" 2>/dev/null)}")
            compadd -- $candidates
        }
        compdef _vdi_complete vdi
        """;

    public static Command Create(CliTerminal terminal)
    {
        var shell = new Argument<string>("shell")
        {
            Description = "bash or zsh",
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (text is not ("bash" or "zsh"))
                {
                    result.AddError($"completion takes bash or zsh, not '{text}'");
                }

                return text;
            },
        };
        shell.CompletionSources.Add("bash", "zsh");
        var command = new Command("completion", "Print the script that makes Tab complete vdi's commands and options: source <(vdi completion bash)") { shell };
        command.SetAction(parse =>
        {
            string script = parse.GetValue(shell) == "zsh" ? Zsh : Bash;
            if (!parse.GetValue(CommonOptions.Json))
            {
                terminal.Output.WriteLine(script);
                return ExitCodes.Success;
            }

            // With --json the script is the result's text, so that standard output stays one JSON object a line.
            using var output = CommandOutput.Create(terminal, "completion", json: true, quiet: false);
            return output.Finish(CommandResult.Success(script));
        });
        return command;
    }
}
