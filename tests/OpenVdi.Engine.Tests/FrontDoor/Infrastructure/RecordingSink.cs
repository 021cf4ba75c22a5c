using System.Collections.Concurrent;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

/// <summary>A sink that records what arrives, in order, and lets a test wait for the n-th item.</summary>
public sealed class RecordingSink : IStatementSink
{
    private readonly ConcurrentQueue<object> _items = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _waiters = new();

    public IReadOnlyList<object> Items => [.. _items];

    public IReadOnlyList<SqlMessage> Messages => [.. _items.OfType<SqlMessage>()];

    public IReadOnlyList<ResultSet> ResultSets => [.. _items.OfType<ResultSet>()];

    public void OnMessage(SqlMessage message) => Add(message);

    public void OnResultSet(ResultSet resultSet) => Add(resultSet);

    /// <summary>Ends once <paramref name="count"/> items have arrived.</summary>
    public Task Received(int count)
    {
        var waiter = _waiters.GetOrAdd(count, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_items.Count >= count)
        {
            waiter.TrySetResult();
        }

        return waiter.Task;
    }

    private void Add(object item)
    {
        _items.Enqueue(item);
        foreach (var (count, waiter) in _waiters)
        {
            if (_items.Count >= count)
            {
                waiter.TrySetResult();
            }
        }
    }
}
