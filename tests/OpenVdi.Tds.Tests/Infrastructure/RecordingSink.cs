using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Tds.Tests.Infrastructure;

/// <summary>Keeps what a statement sends, as it arrives, and signals the first message of a number.</summary>
public sealed class RecordingSink : IStatementSink
{
    private readonly Lock _lock = new();
    private readonly List<SqlMessage> _messages = [];
    private readonly List<ResultSet> _resultSets = [];
    private readonly Dictionary<int, TaskCompletionSource> _arrivals = [];

    public IReadOnlyList<SqlMessage> Messages
    {
        get
        {
            lock (_lock)
            {
                return [.. _messages];
            }
        }
    }

    public IReadOnlyList<ResultSet> ResultSets
    {
        get
        {
            lock (_lock)
            {
                return [.. _resultSets];
            }
        }
    }

    /// <summary>Ends when the first message numbered <paramref name="number"/> has arrived.</summary>
    public Task Arrival(int number)
    {
        lock (_lock)
        {
            if (!_arrivals.TryGetValue(number, out var arrival))
            {
                arrival = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _arrivals[number] = arrival;
                if (_messages.Exists(m => m.Number == number))
                {
                    arrival.TrySetResult();
                }
            }

            return arrival.Task;
        }
    }

    public void OnMessage(SqlMessage message)
    {
        lock (_lock)
        {
            _messages.Add(message);
            if (_arrivals.TryGetValue(message.Number, out var arrival))
            {
                arrival.TrySetResult();
            }
        }
    }

    public void OnResultSet(ResultSet resultSet)
    {
        lock (_lock)
        {
            _resultSets.Add(resultSet);
        }
    }
}
