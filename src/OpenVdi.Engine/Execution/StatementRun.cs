using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Execution;

/// <summary>
/// One running statement's output: messages and result sets, collected in order and passed to the caller's sink as
/// they happen. Device threads send progress concurrently, so every send is serialised.
/// </summary>
internal sealed class StatementRun
{
    private readonly IStatementSink? _sink;
    private readonly List<SqlMessage> _messages = [];
    private readonly List<ResultSet> _resultSets = [];
    private readonly Lock _lock = new();
    private bool _sinkFailed;

    public StatementRun(IStatementSink? sink) => _sink = sink;

    public bool HasError
    {
        get
        {
            lock (_lock)
            {
                return _messages.Exists(m => m.IsError);
            }
        }
    }

    public void Send(SqlMessage message)
    {
        lock (_lock)
        {
            _messages.Add(message);
            Deliver(() => _sink?.OnMessage(message));
        }
    }

    public void Send(ResultSet resultSet)
    {
        lock (_lock)
        {
            _resultSets.Add(resultSet);
            Deliver(() => _sink?.OnResultSet(resultSet));
        }
    }

    /// <summary>The failing statement's cause, then 3013 naming the operation.</summary>
    public void Fail(SqlMessage cause, string operation)
    {
        Send(cause);
        Send(SqlMessages.TerminatingAbnormally(operation));
    }

    private void Deliver(Action action)
    {
        if (_sinkFailed)
        {
            return;
        }

        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The receiver went away (a daemon connection closed): the statement goes on and its outcome is kept.
            _sinkFailed = true;
        }
    }

    public StatementOutcome Outcome()
    {
        lock (_lock)
        {
            return new StatementOutcome { Succeeded = !_messages.Exists(m => m.IsError), Messages = [.. _messages], ResultSets = [.. _resultSets] };
        }
    }
}
