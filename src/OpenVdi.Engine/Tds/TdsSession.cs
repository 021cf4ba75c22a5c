using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Channels;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// One TDS connection, from PRELOGIN to its close: the encryption negotiation and TLS handshake, LOGIN7, then one
/// request at a time. While a request runs, the connection is still read, so that an ATTENTION cancels it at once
/// (and a second request, which only MARS would allow, is a protocol error). Everything the session sends goes
/// through one queue to one writer task, so the engine's threads never wait on a slow client.
/// </summary>
internal sealed partial class TdsSession
{
    private const int LogStatementLength = 200;
    private const string Language = "us_english";
    private const string ProgramName = "OpenVdi";

    /// <summary>How long what is left to send may take once the session ends.</summary>
    private static readonly TimeSpan s_drainLimit = TimeSpan.FromSeconds(10);

    private readonly TdsServer _server;
    private readonly Socket _socket;
    private readonly long _id;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private TdsPacketReader? _reader;
    private TdsPacketWriter? _writer;
    private Task<TdsMessage?>? _pendingRead;
    private string _login = string.Empty;
    private string _loginDatabase = "master";
    private string _database = "master";

    public TdsSession(TdsServer server, Socket socket, long id)
    {
        _server = server;
        _socket = socket;
        _id = id;
    }

    /// <summary>Ends once the connection is closed.</summary>
    public Task Completion => _completion.Task;

    private string Tag => string.Create(CultureInfo.InvariantCulture, $"tds#{_id}");

    public void Start() => _ = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        string peer = _socket.RemoteEndPoint?.ToString() ?? "?";
        NetworkStream? network = null;
        SslStream? tls = null;
        try
        {
            network = new NetworkStream(_socket, ownsSocket: false);
            tls = await LoginAsync(network, peer).ConfigureAwait(false);
            if (_writer is not null)
            {
                await ServeRequestsAsync().ConfigureAwait(false);
            }
        }
        catch (TdsProtocolException e)
        {
            Log($"protocol error from {peer}: {e.Message}; closing");
        }
        catch (AuthenticationException e)
        {
            Log($"TLS handshake with {peer} failed: {e.Message}");
        }
        catch (OperationCanceledException) when (_server.Stopping.IsCancellationRequested)
        {
            Log("closed: the server is stopping");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or TimeoutException)
        {
            Log($"connection from {peer} lost: {(e is IOException { InnerException: TdsProtocolException inner } ? inner.Message : e.Message)}");
        }
        catch (Exception e)
        {
            Log($"connection from {peer} failed: {e}");
        }
        finally
        {
            _outgoing.Writer.TryComplete();
            tls?.Dispose();
            network?.Dispose();
            _socket.Dispose();
            _server.Forget(this);
            _completion.TrySetResult();
        }
    }

    /// <summary>
    /// PRELOGIN, TLS, LOGIN7, all within the login timeout. Returns the TLS stream, if any (to dispose at the end).
    /// On success <see cref="_writer"/> is set; on a refused login the client has its error and the writer stays null.
    /// </summary>
    private async Task<SslStream?> LoginAsync(NetworkStream network, string peer)
    {
        var options = _server.Options;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_server.Stopping);
        deadline.CancelAfter(options.LoginTimeout);
        try
        {
            _reader = new TdsPacketReader(network);
            var preLogin = await _reader.ReadMessageAsync(TdsProtocol.MaxPreLoginBytes, deadline.Token, TdsPacketType.PreLogin).ConfigureAwait(false);
            if (preLogin is null)
            {
                return null;
            }

            var offer = PreLoginMessage.Parse(preLogin.Payload);
            var settled = Settle(offer.Encryption, options.AllowUnencrypted);
            await TdsPacketWriter.WriteMessageAsync(network, TdsPacketType.TabularResult, PreLoginMessage.Response(settled), TdsProtocol.DefaultPacketSize, deadline.Token).ConfigureAwait(false);
            if (settled == TdsEncryption.Required && offer.Encryption == TdsEncryption.NotSupported)
            {
                Log($"refused {peer}: the client cannot encrypt, and this engine requires encryption (--tds-allow-unencrypted allows it)");
                return null;
            }

            SslStream? tls = null;
            Stream secure = network;
            if (settled != TdsEncryption.NotSupported)
            {
                var handshake = new TdsHandshakeStream(network);
                tls = new SslStream(handshake, leaveInnerStreamOpen: true);
                await tls.AuthenticateAsServerAsync(_server.Tls, deadline.Token).ConfigureAwait(false);
                handshake.Passthrough = true;
                secure = tls;
                _reader.Stream = tls;
            }

            var message = await _reader.ReadMessageAsync(TdsProtocol.MaxLoginBytes, deadline.Token, TdsPacketType.Login7).ConfigureAwait(false);
            if (message is null)
            {
                Log($"{peer} closed the connection before its login");
                return tls;
            }

            var login = Login7Request.Parse(message.Payload);

            // Encryption "off" protects the login only: TLS ends after it, both ways.
            Stream session = settled == TdsEncryption.Off ? network : secure;
            _reader.Stream = session;
            var writer = new TdsPacketWriter(session, (ushort)(50 + (_id % 32000)));
            string encryption = settled switch
            {
                TdsEncryption.NotSupported => "unencrypted",
                TdsEncryption.Off => "login encrypted only",
                _ => $"encrypted ({tls!.SslProtocol}, {tls.NegotiatedCipherSuite})",
            };
            if (Refusal(login) is { } refusal)
            {
                Log($"login failed for '{login.UserName}' from {peer} ({login.HostName}, '{login.ApplicationName}'): {refusal.Reason}");
                var tokens = new TdsTokenBuffer();
                foreach (var error in refusal.Messages)
                {
                    TdsTokens.Message(tokens, error, _server.ServerName);
                }

                TdsTokens.Done(tokens, TdsTokenType.Done, TdsDoneStatus.Error);
                await writer.WriteAsync(tokens.Written, deadline.Token).ConfigureAwait(false);
                await writer.EndMessageAsync(deadline.Token).ConfigureAwait(false);
                return tls;
            }

            int packetSize = Math.Clamp(login.PacketSize == 0 ? TdsProtocol.DefaultPacketSize : login.PacketSize, TdsProtocol.MinPacketSize, TdsProtocol.MaxPacketSize);
            _login = login.UserName;
            _loginDatabase = _database = login.Database.Length == 0 ? "master" : login.Database;
            await writer.WriteAsync(LoginResponse(login, packetSize), deadline.Token).ConfigureAwait(false);
            await writer.EndMessageAsync(deadline.Token).ConfigureAwait(false);
            writer.PacketSize = packetSize;
            _writer = writer;
            Log($"login '{login.UserName}' from {peer} ({login.HostName}, '{login.ApplicationName}'), {encryption}, packet size {packetSize.ToString(CultureInfo.InvariantCulture)}");
            return tls;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !_server.Stopping.IsCancellationRequested)
        {
            Log(string.Create(CultureInfo.InvariantCulture, $"closed {peer}: no login within {options.LoginTimeout.TotalSeconds:0.#} s"));
            return null;
        }
    }

    /// <summary>The server's encryption answer to the client's offer.</summary>
    private static TdsEncryption Settle(TdsEncryption offer, bool allowUnencrypted) => offer switch
    {
        TdsEncryption.On or TdsEncryption.Required => TdsEncryption.On,
        _ when !allowUnencrypted => TdsEncryption.Required,
        TdsEncryption.Off => TdsEncryption.Off,
        _ => TdsEncryption.NotSupported,
    };

    /// <summary>Why the login is refused (for the log) and what the client is told; null when it is accepted.</summary>
    private (string Reason, SqlMessage[] Messages)? Refusal(Login7Request login)
    {
        var failed = SqlMessages.LoginFailed(login.UserName);
        if (login.TdsVersion < TdsProtocol.Version72)
        {
            return (string.Create(CultureInfo.InvariantCulture, $"TDS version 0x{login.TdsVersion:X8} is older than 7.2"), [failed]);
        }

        if (login.IntegratedSecurity)
        {
            return ("integrated authentication; the engine accepts SQL logins only", [SqlMessages.IntegratedLoginRefused()]);
        }

        if (login.FederatedAuthentication)
        {
            return ("federated (Entra) authentication; the engine accepts SQL logins only", [failed]);
        }

        switch (_server.Options.Logins.Verify(login.UserName, login.Password))
        {
            case TdsLoginCheck.UnknownLogin:
                return ("no such login", [failed]);
            case TdsLoginCheck.WrongPassword:
                return ("wrong password", [failed]);
        }

        if (login.Database.Length > 0 && !_server.DatabaseExists(login.Database))
        {
            return ($"database '{login.Database}' does not exist", [SqlMessages.CannotOpenRequestedDatabase(login.Database), failed]);
        }

        return null;
    }

    /// <summary>What SQL Server answers a login with: the database, collation, language, packet size, LOGINACK, DONE.</summary>
    private ReadOnlyMemory<byte> LoginResponse(Login7Request login, int packetSize)
    {
        var tokens = new TdsTokenBuffer();
        TdsTokens.EnvChange(tokens, TdsTokens.EnvDatabase, _database, "master");
        TdsTokens.Message(tokens, SqlMessages.ChangedDatabaseContext(_database, 2), _server.ServerName);
        TdsTokens.CollationChange(tokens);
        TdsTokens.EnvChange(tokens, TdsTokens.EnvLanguage, Language, string.Empty);
        TdsTokens.Message(tokens, SqlMessages.ChangedLanguage(Language), _server.ServerName);
        TdsTokens.EnvChange(tokens, TdsTokens.EnvPacketSize, packetSize.ToString(CultureInfo.InvariantCulture), TdsProtocol.DefaultPacketSize.ToString(CultureInfo.InvariantCulture));
        TdsTokens.LoginAck(tokens, Math.Min(login.TdsVersion, TdsProtocol.Version74), ProgramName);
        if (login.HasFeatureExtensions)
        {
            TdsTokens.NoFeaturesAcknowledged(tokens);
        }

        TdsTokens.Done(tokens, TdsTokenType.Done, TdsDoneStatus.Final);
        return tokens.Written;
    }

    /// <summary>The request loop: one request at a time until the client leaves, idles too long, or breaks the protocol.</summary>
    private async Task ServeRequestsAsync()
    {
        var writing = WriteAllAsync();
        try
        {
            while (true)
            {
                _pendingRead ??= _reader!.ReadMessageAsync(TdsProtocol.MaxRequestBytes, _server.Stopping);
                TdsMessage? message;
                try
                {
                    message = await _pendingRead.WaitAsync(_server.Options.IdleTimeout, _server.Stopping).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    Log(string.Create(CultureInfo.InvariantCulture, $"closed: idle for {_server.Options.IdleTimeout.TotalMinutes:0.#} min"));
                    return;
                }

                _pendingRead = null;
                if (message is null)
                {
                    Log("closed by the client");
                    return;
                }

                if ((message.Status & (TdsPacketStatus.ResetConnection | TdsPacketStatus.ResetConnectionSkipTransaction)) != 0)
                {
                    // A pooled connection reused: the session starts over in its login's database.
                    _database = _loginDatabase;
                }

                switch (message.Type)
                {
                    case TdsPacketType.Attention:
                        // Nothing runs: acknowledge at once.
                        Send(Tokens(t => TdsTokens.Done(t, TdsTokenType.Done, TdsDoneStatus.Attention)), endOfMessage: true);
                        break;
                    case TdsPacketType.SqlBatch or TdsPacketType.Rpc:
                        await RunRequestAsync(message).ConfigureAwait(false);
                        break;
                    case TdsPacketType.TransactionManager or TdsPacketType.BulkLoad:
                        string what = message.Type == TdsPacketType.BulkLoad ? "bulk loads" : "transaction manager requests";
                        SendError(SqlMessages.RequestNotSupported(what), TdsTokenType.Done, TdsDoneStatus.Final);
                        break;
                    default:
                        throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"A message of type {(byte)message.Type} came after the login."));
                }
            }
        }
        finally
        {
            _outgoing.Writer.TryComplete();
            try
            {
                await writing.WaitAsync(s_drainLimit).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A client that does not read holds the last writes: close under them.
                Log("closing: the client did not read what was left to send");
                _socket.Dispose();
                await writing.ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Runs one SQL batch or RPC request while still reading the connection: an ATTENTION cancels it and is
    /// acknowledged with DONE (attention) as the response's last token.
    /// </summary>
    private async Task RunRequestAsync(TdsMessage request)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_server.Stopping);
        var running = ExecuteAsync(request, cancel.Token);
        bool attention = false;
        while (!running.IsCompleted)
        {
            _pendingRead ??= _reader!.ReadMessageAsync(TdsProtocol.MaxRequestBytes, _server.Stopping);
            if (await Task.WhenAny(running, _pendingRead).ConfigureAwait(false) == running)
            {
                break;
            }

            TdsMessage? next;
            try
            {
                next = await _pendingRead.ConfigureAwait(false);
            }
            catch
            {
                await cancel.CancelAsync().ConfigureAwait(false);
                await running.ConfigureAwait(false);
                throw;
            }

            _pendingRead = null;
            if (next?.Type == TdsPacketType.Attention)
            {
                attention = true;
                Log("attention: cancelling the request");
                await cancel.CancelAsync().ConfigureAwait(false);
                continue;
            }

            await cancel.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
            if (next is null)
            {
                Log("closed by the client while its request ran; the request was cancelled");
                throw new OperationCanceledException("The client left.");
            }

            throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"A message of type {(byte)next.Type} came while a request ran (MARS is not supported)."));
        }

        await running.ConfigureAwait(false);
        if (attention)
        {
            // After the request's own end, if it came first: the client reads on to this acknowledgement.
            Send(Tokens(t => TdsTokens.Done(t, TdsTokenType.Done, TdsDoneStatus.Attention)), endOfMessage: true);
        }
    }

    /// <summary>
    /// Runs the request, sending its tokens as they come, its final DONE with the end of the message; a cancelled
    /// request sends no end (the acknowledgement of the ATTENTION is its end). Never throws.
    /// </summary>
    private async Task ExecuteAsync(TdsMessage request, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        try
        {
            if (request.Type == TdsPacketType.SqlBatch)
            {
                await RunBatchAsync(TdsRequestParser.SqlBatch(request.Payload), TdsTokenType.Done, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RunRpcAsync(request.Payload, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log(string.Create(CultureInfo.InvariantCulture, $"cancelled ({elapsed.Elapsed.TotalSeconds:0.000} s)"));
        }
        catch (TdsProtocolException e)
        {
            // A request the engine cannot read: said to the client as an error; the connection stays usable.
            Log($"malformed request: {e.Message}");
            SendError(SqlMessages.RequestNotSupported($"this request ({e.Message})"), TdsTokenType.Done, TdsDoneStatus.Final);
        }
    }

    private async Task RunRpcAsync(byte[] payload, CancellationToken cancellationToken)
    {
        IReadOnlyList<RpcCall> calls;
        try
        {
            calls = TdsRequestParser.Rpc(payload);
        }
        catch (NotSupportedException e)
        {
            Log($"RPC refused: {e.Message}");
            SendError(SqlMessages.RequestNotSupported(e.Message), TdsTokenType.DoneProc, TdsDoneStatus.Final);
            return;
        }

        for (int i = 0; i < calls.Count; i++)
        {
            var more = i < calls.Count - 1 ? TdsDoneStatus.More : TdsDoneStatus.Final;
            var call = calls[i];
            bool failed;
            if (!call.IsExecuteSql)
            {
                Log($"RPC to {call.Procedure} refused: only sp_executesql runs");
                Send(Tokens(t => TdsTokens.Message(t, SqlMessages.StoredProcedureNotFound(call.Procedure), _server.ServerName)));
                failed = true;
            }
            else if (call.Parameters.Count == 0 || call.Parameters[0].Value is not string statement)
            {
                Send(Tokens(t => TdsTokens.Message(t, SqlMessages.RequestNotSupported("an sp_executesql call without a statement"), _server.ServerName)));
                failed = true;
            }
            else
            {
                // sp_executesql @stmt, @params (the declarations), then the values by name.
                string bound;
                try
                {
                    bound = ParameterSubstitution.Apply(statement, [.. call.Parameters.Skip(2)]);
                }
                catch (NotSupportedException e)
                {
                    SendError(SqlMessages.RequestNotSupported(e.Message), TdsTokenType.DoneProc, more);
                    continue;
                }

                failed = !await RunStatementsAsync(bound, TdsTokenType.DoneInProc, cancellationToken).ConfigureAwait(false);
            }

            Send(
                Tokens(t =>
                {
                    TdsTokens.ReturnStatus(t, failed ? 1 : 0);
                    TdsTokens.Done(t, TdsTokenType.DoneProc, (failed ? TdsDoneStatus.Error : TdsDoneStatus.Final) | more);
                }),
                endOfMessage: more == TdsDoneStatus.Final);
        }
    }

    private async Task RunBatchAsync(string text, TdsTokenType done, CancellationToken cancellationToken)
    {
        bool succeeded = await RunStatementsAsync(text, done, cancellationToken).ConfigureAwait(false);
        Send(Tokens(t => TdsTokens.Done(t, done, succeeded ? TdsDoneStatus.Final : TdsDoneStatus.Error)), endOfMessage: true);
    }

    /// <summary>
    /// The batch's session statements, then its statement for the engine. Sends every token but the request's last
    /// DONE; <paramref name="resultDone"/> is the token that ends each result set (DONE in a batch, DONEINPROC in an
    /// RPC). Returns whether everything succeeded.
    /// </summary>
    private async Task<bool> RunStatementsAsync(string text, TdsTokenType resultDone, CancellationToken cancellationToken)
    {
        var batch = SessionBatch.Split(text);
        foreach (string database in batch.UseDatabases)
        {
            if (!_server.DatabaseExists(database))
            {
                Log($"USE {database}: no such database");
                Send(Tokens(t => TdsTokens.Message(t, SqlMessages.DatabaseDoesNotExist(database) with { LineNumber = 1 }, _server.ServerName)));
                return false;
            }

            string old = _database;
            _database = database;
            Send(Tokens(t =>
            {
                TdsTokens.EnvChange(t, TdsTokens.EnvDatabase, database, old);
                TdsTokens.Message(t, SqlMessages.ChangedDatabaseContext(database, 1), _server.ServerName);
            }));
        }

        if (batch.EngineStatement is not { } statement)
        {
            return true;
        }

        Log($"{_login}: {Excerpt(statement)}");
        var elapsed = Stopwatch.StartNew();
        var sink = new TokenSink(this, resultDone);
        StatementOutcome outcome;
        try
        {
            outcome = await _server.Engine.ExecuteAsync(statement, sink, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log($"engine fault: {e}");
            Send(Tokens(t => TdsTokens.Message(t, SqlMessages.EngineFault($"{e.GetType().Name}: {e.Message}"), _server.ServerName)));
            return false;
        }

        string ending = outcome.Succeeded
            ? "succeeded"
            : outcome.FirstError is { } error ? $"failed: Msg {error.Number.ToString(CultureInfo.InvariantCulture)}: {error.Text}" : "failed";
        Log(string.Create(CultureInfo.InvariantCulture, $"{ending} ({elapsed.Elapsed.TotalSeconds:0.000} s)"));
        return outcome.Succeeded && !sink.Failed;
    }

    /// <summary>An error and the DONE that ends its part; the end of the message too unless <paramref name="more"/> says more follows.</summary>
    private void SendError(SqlMessage message, TdsTokenType done, TdsDoneStatus more) => Send(
        Tokens(t =>
        {
            TdsTokens.Message(t, message, _server.ServerName);
            TdsTokens.Done(t, done, TdsDoneStatus.Error | more);
        }),
        endOfMessage: more == TdsDoneStatus.Final);

    private static byte[] Tokens(Action<TdsTokenBuffer> write)
    {
        var buffer = new TdsTokenBuffer();
        write(buffer);
        return buffer.ToArray();
    }

    private void Send(byte[] tokens, bool endOfMessage = false) => _outgoing.Writer.TryWrite(new Outgoing(tokens, endOfMessage));

    /// <summary>
    /// Writes the queued tokens as packets, in order. A packet goes out when it is full, at the end of a message, and
    /// whenever the queue runs dry, so that each message reaches the client while the statement still runs. A failed
    /// write closes the connection (which ends the request loop and cancels a running statement).
    /// </summary>
    private async Task WriteAllAsync()
    {
        var queue = _outgoing.Reader;
        try
        {
            while (await queue.WaitToReadAsync().ConfigureAwait(false))
            {
                while (queue.TryRead(out var item))
                {
                    await _writer!.WriteAsync(item.Tokens, CancellationToken.None).ConfigureAwait(false);
                    if (item.EndOfMessage)
                    {
                        await _writer!.EndMessageAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                }

                await _writer!.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Log($"sending failed: {e.Message}; closing");
            _socket.Dispose();
        }
    }

    private void Log(string text) => _server.Log($"{Tag} {text}");

    private static string Excerpt(string statement)
    {
        string flat = string.Join(' ', statement.Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return flat.Length <= LogStatementLength ? flat : string.Concat(flat.AsSpan(0, LogStatementLength), "…");
    }

    /// <summary>Tokens to send; <see cref="EndOfMessage"/> ends the response with them.</summary>
    private readonly record struct Outgoing(byte[] Tokens, bool EndOfMessage);
}
