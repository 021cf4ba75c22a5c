namespace OpenVdi.Cli.Output;

/// <summary>What the tool writes to: standard output and error, and whether standard error is a terminal (a progress bar) or not (plain lines).</summary>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="ErrorIsTerminal">Whether standard error is a terminal, where a progress bar can redraw itself.</param>
/// <param name="Width">The terminal's width in columns.</param>
internal sealed record CliTerminal(TextWriter Output, TextWriter Error, bool ErrorIsTerminal = false, int Width = 80)
{
    /// <summary>The process's own console.</summary>
    public static CliTerminal FromConsole()
    {
        bool terminal = !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");
        int width = 0;
        if (terminal)
        {
            try
            {
                width = Console.WindowWidth;
            }
            catch (IOException)
            {
                // No size to be had: COLUMNS, else 80 columns.
            }
        }

        if (width <= 0)
        {
            width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int columns) && columns > 0 ? columns : 80;
        }

        width = Math.Max(40, width);

        return new CliTerminal(Console.Out, Console.Error, terminal, width);
    }
}
