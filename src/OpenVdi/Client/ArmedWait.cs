using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace OpenVdi;

/// <summary>
/// One pending asynchronous wait of the client's transport: a pooled <see cref="IValueTaskSource{T}"/>, armed when the
/// caller finds nothing yet and completed by the set's <see cref="ClientDoorbell"/> waiter once there is something (or
/// the set ends, aborts, closes), or by the caller's cancellation at once. Nothing is allocated per wait (but the
/// exception of a cancelled one) and nothing polls.
/// </summary>
/// <remarks>
/// States move by compare-and-swap: Idle → Armed (the caller), Armed → Claimed (the waiter looking, or a
/// cancellation), Claimed → Armed (nothing yet) or Claimed → Idle (completed). Exactly one party completes a wait.
/// The waiter claims under the set's gate and delivers after leaving it, since a continuation runs on the delivering
/// thread and may close the set.
/// </remarks>
/// <typeparam name="T">What the wait answers.</typeparam>
internal abstract class ArmedWait<T> : IValueTaskSource<T>
{
    private const int Idle = 0;
    private const int Armed = 1;
    private const int Claimed = 2;

    private ManualResetValueTaskSourceCore<T> _core = new() { RunContinuationsAsynchronously = false };
    private CancellationTokenRegistration _registration;
    private CancellationToken _token;
    private int _state;
    private int _cancelRequested;
    private T _claimed = default!;
    private bool _claimedAnswer;

    /// <summary>Whether a wait is pending (armed, or claimed and about to be delivered).</summary>
    public bool IsArmed => Volatile.Read(ref _state) != Idle;

    /// <summary>Arms the wait (the caller found nothing yet); the returned task completes once.</summary>
    public ValueTask<T> Arm(CancellationToken cancellationToken)
    {
        AssertInvariants();
        _core.Reset();
        _token = cancellationToken;
        Volatile.Write(ref _cancelRequested, 0);
        short version = _core.Version;

        // Release: the reset core is complete before anyone can claim the wait.
        Volatile.Write(ref _state, Armed);
        _registration = cancellationToken.UnsafeRegister(static wait => ((ArmedWait<T>)wait!).Cancel(), this);
        return new ValueTask<T>(this, version);
    }

    /// <summary>
    /// The waiter's look (the caller holds the set's gate): claims the wait with what <see cref="TryFetch"/> finds, to be
    /// handed over by <see cref="Deliver"/>, or leaves it armed. True when claimed.
    /// </summary>
    public bool Claim()
    {
        if (Interlocked.CompareExchange(ref _state, Claimed, Armed) != Armed)
        {
            return false;
        }

        // Whether the claim holds an answer is recorded, not read back from the value: a default value (what a
        // cancelled claim holds) reads as NOERROR.
        if (TryFetch(out var value))
        {
            (_claimed, _claimedAnswer) = (value, true);
            return true;
        }

        if (Volatile.Read(ref _cancelRequested) != 0)
        {
            (_claimed, _claimedAnswer) = (default!, false);
            return true;
        }

        Volatile.Write(ref _state, Armed);

        // A cancellation that came while the wait was claimed saw no Armed state: it is honoured here.
        if (Volatile.Read(ref _cancelRequested) != 0 && Interlocked.CompareExchange(ref _state, Claimed, Armed) == Armed)
        {
            (_claimed, _claimedAnswer) = (default!, false);
            return true;
        }

        return false;
    }

    /// <summary>Hands a claimed wait its answer, or its cancellation. The continuation runs on this thread.</summary>
    public void Deliver() => Complete(_claimed, cancelled: !_claimedAnswer);

    /// <summary>Whether a look would complete the wait now (the waiter asks before it sleeps).</summary>
    public bool HasWork() => Volatile.Read(ref _state) == Armed && (Volatile.Read(ref _cancelRequested) != 0 || IsReady());

    /// <summary>Ends a pending wait with <paramref name="value"/> without looking (the object closes).</summary>
    public void End(T value)
    {
        if (Interlocked.CompareExchange(ref _state, Claimed, Armed) == Armed)
        {
            Complete(value, cancelled: false);
        }
    }

    public T GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>One look; true with the answer when there is one.</summary>
    protected abstract bool TryFetch(out T value);

    /// <summary>Whether <see cref="TryFetch"/> would answer now, without taking anything.</summary>
    protected abstract bool IsReady();

    /// <summary>The wait is no longer pending (before the continuation runs).</summary>
    protected virtual void OnEnded()
    {
    }

    private void Cancel()
    {
        Volatile.Write(ref _cancelRequested, 1);
        if (Interlocked.CompareExchange(ref _state, Claimed, Armed) == Armed)
        {
            Complete(default!, cancelled: true);
        }
    }

    private void Complete(T value, bool cancelled)
    {
        OnEnded();
        _registration.Unregister();
        var token = _token;

        // Idle before the continuation runs: it may arm the next wait at once, on this thread.
        Volatile.Write(ref _state, Idle);
        if (cancelled)
        {
            _core.SetException(new OperationCanceledException(token));
        }
        else
        {
            _core.SetResult(value);
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() =>
        Debug.Assert(Volatile.Read(ref _state) == Idle, "One wait at a time: a wait is armed only once the previous one completed.");
}
