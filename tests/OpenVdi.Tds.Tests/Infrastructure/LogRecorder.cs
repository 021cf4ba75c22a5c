using System.Text;

namespace OpenVdi.Tds.Tests.Infrastructure;

/// <summary>The TDS server's log, kept line by line, with a wait for a line to appear (how a test knows where the server is).</summary>
public sealed class LogRecorder : TextWriter
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _partial = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

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

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value != '\n')
            {
                _partial.Append(value);
                return;
            }

            string line = _partial.ToString();
            _partial.Clear();
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>The first line (already written or to come) that contains <paramref name="text"/>.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan limit)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            string? line = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            _waiters.Add((l => l.Contains(text, StringComparison.Ordinal), found));
        }

        try
        {
            return await found.Task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The server did not log '{text}' within {limit.TotalSeconds:0} s. Its log:\n{string.Join('\n', Lines)}");
            throw;
        }
    }
}
