using System.Net.Sockets;

namespace OpenVdi.Engine.Listening;

/// <summary>The accept step shared by the engine's two listeners (the daemon's Unix socket and the TDS port).</summary>
internal static class SocketAccept
{
    /// <summary>
    /// The next connection; null once the listener stops (<paramref name="stopping"/> cancelled, or the listener
    /// closed). A failure to accept (out of descriptors or memory) is told to <paramref name="failed"/> and retried
    /// after 100 ms, rather than spun on.
    /// </summary>
    public static async Task<Socket?> NextAsync(Socket listener, Action<string> failed, CancellationToken stopping)
    {
        while (true)
        {
            try
            {
                return await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                return null;
            }
            catch (SocketException e)
            {
                failed(e.Message);
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
