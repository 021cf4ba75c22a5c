using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

/// <summary>
/// A stand-in for the statement engine: each statement runs the script the test gave, which can send messages and
/// result sets through the sink, wait for the test, and watch its cancellation token. It records every statement
/// it started and every one that saw its token cancelled.
/// </summary>
public sealed class ScriptedEngine : IStatementEngine
{
    private readonly Func<Run, Task<StatementOutcome>> _script;
    private readonly TaskCompletionSource<Run> _firstStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Run> _firstCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;

    public ScriptedEngine(Func<Run, Task<StatementOutcome>> script) => _script = script;

    /// <summary>Ends with the first statement that started.</summary>
    public Task<Run> FirstStarted => _firstStarted.Task;

    /// <summary>Ends with the first statement whose token was cancelled.</summary>
    public Task<Run> FirstCancelled => _firstCancelled.Task;

    public int Started => Volatile.Read(ref _started);

    public Task<StatementOutcome> ExecuteAsync(string statement, IStatementSink? sink = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync(statement, FaultPlan.None, sink, cancellationToken);

    public async Task<StatementOutcome> ExecuteAsync(string statement, FaultPlan faults, IStatementSink? sink = null, CancellationToken cancellationToken = default)
    {
        var run = new Run(statement, sink, cancellationToken) { Faults = faults };
        cancellationToken.Register(() => _firstCancelled.TrySetResult(run));
        Interlocked.Increment(ref _started);
        _firstStarted.TrySetResult(run);
        return await _script(run);
    }

    /// <summary>A script that sends <paramref name="messages"/> and succeeds unless one is an error.</summary>
    public static ScriptedEngine Sending(params SqlMessage[] messages) => new(run =>
    {
        foreach (var message in messages)
        {
            run.Send(message);
        }

        return Task.FromResult(run.Outcome());
    });

    /// <summary>A script that waits for its token, then ends as the real engine does: OperationCanceledException.</summary>
    public static ScriptedEngine WaitingForCancellation() => new(async run =>
    {
        run.Send(SqlMessages.PercentProcessed(10));
        await Task.Delay(Timeout.Infinite, run.CancellationToken);
        throw new InvalidOperationException("unreachable");
    });

    /// <summary>One statement being run: what it was given, and helpers that send and collect.</summary>
    public sealed class Run
    {
        private readonly List<SqlMessage> _messages = [];
        private readonly List<ResultSet> _resultSets = [];

        public Run(string statement, IStatementSink? sink, CancellationToken cancellationToken)
        {
            Statement = statement;
            Sink = sink;
            CancellationToken = cancellationToken;
        }

        public string Statement { get; }

        /// <summary>The faults that came with the statement.</summary>
        public FaultPlan Faults { get; init; } = FaultPlan.None;

        public IStatementSink? Sink { get; }

        public CancellationToken CancellationToken { get; }

        public void Send(SqlMessage message)
        {
            _messages.Add(message);
            Sink?.OnMessage(message);
        }

        public void Send(ResultSet resultSet)
        {
            _resultSets.Add(resultSet);
            Sink?.OnResultSet(resultSet);
        }

        /// <summary>The outcome of what was sent: failed when an error message was among it.</summary>
        public StatementOutcome Outcome() => new()
        {
            Succeeded = !_messages.Any(m => m.IsError),
            Messages = [.. _messages],
            ResultSets = [.. _resultSets],
        };
    }
}
