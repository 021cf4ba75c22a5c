using System.Diagnostics;
using System.Text;
using OpenVdi.Cli.Client;

namespace OpenVdi.Cli.Tests.Infrastructure;

/// <summary>The real tool as a process of its own ('dotnet vdi.dll …'), its output read line by line as it comes, for signals and exit codes.</summary>
public sealed class ToolProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _error = new();
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private ToolProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string Error
    {
        get
        {
            lock (_lock)
            {
                return _error.ToString();
            }
        }
    }

    public static ToolProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts the tool with <paramref name="environment"/> added to this process's.</summary>
    public static ToolProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = ThisExecutable.Start(args);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var tool = new ToolProcess(new Process { StartInfo = start });
        tool._process.OutputDataReceived += (_, e) => tool.Take(e.Data);
        tool._process.ErrorDataReceived += (_, e) =>
        {
            lock (tool._lock)
            {
                tool._error.AppendLine(e.Data);
            }
        };
        tool._process.Start();
        tool._process.BeginOutputReadLine();
        tool._process.BeginErrorReadLine();
        return tool;
    }

    /// <summary>Ends with the first line of standard output that <paramref name="match"/> accepts.</summary>
    public Task<string> LineAsync(Func<string, bool> match)
    {
        lock (_lock)
        {
            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_lines.FirstOrDefault(match) is { } line)
            {
                found.SetResult(line);
            }
            else
            {
                _waiters.Add((match, found));
            }

            return found.Task;
        }
    }

    /// <summary>Every line of standard output so far, one string.</summary>
    public string Output => string.Join('\n', Lines);

    /// <summary>Every line of standard output so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    public async Task<int> ExitAsync(TimeSpan limit)
    {
        await _process.WaitForExitAsync().WaitAsync(limit);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Take(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }
}
