using System.Text;

namespace OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

/// <summary>A log that keeps its lines and lets a test wait for a line containing some text.</summary>
public sealed class LogWatcher : TextWriter
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private readonly List<(string Text, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly StringBuilder _partial = new();

    public override Encoding Encoding => Encoding.UTF8;

    public string Text
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _lines);
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
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Ends with the first line that contains <paramref name="text"/>, written before or after the call.</summary>
    public Task<string> Line(string text)
    {
        lock (_lock)
        {
            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                found.SetResult(line);
            }
            else
            {
                _waiters.Add((text, found));
            }

            return found.Task.WaitAsync(DaemonHarness.Limit);
        }
    }
}
