using System.Diagnostics;
using System.Text;

using Xunit;

namespace OpenVdi.Testing;

/// <summary>A build or inspection tool (dotnet publish, g++, nm) run to its end, with everything it printed.</summary>
public static class ExternalCommand
{
    /// <summary>The exit code and the output (standard output and error, interleaved as they came).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, TimeSpan limit, Action<ProcessStartInfo>? configure = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        configure?.Invoke(start);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"'{program} {string.Join(' ', start.ArgumentList)}' did not finish within {limit.TotalSeconds:0} s. It printed:\n{Text(output)}");
        }

        // The parameterless wait drains the output readers.
        await process.WaitForExitAsync();
        return (process.ExitCode, Text(output));
    }

    /// <summary>Runs a command that must succeed; returns its output.</summary>
    public static async Task<string> RunCheckedAsync(string program, IEnumerable<string> arguments, TimeSpan limit, Action<ProcessStartInfo>? configure = null)
    {
        var (exitCode, output) = await RunAsync(program, arguments, limit, configure);
        Assert.True(exitCode == 0, $"'{program} {string.Join(' ', arguments)}' failed with exit code {exitCode}:\n{output}");
        return output;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
