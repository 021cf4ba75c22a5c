namespace OpenVdi.Cli.Client;

/// <summary>Follows a statement's transfer: told when it starts (with its devices) and when it ends.</summary>
internal interface ITransferObserver
{
    /// <summary>The set exists and the statement is about to be sent.</summary>
    void Started(TransferStart start);

    /// <summary>The statement ended and the devices are closed.</summary>
    void Ended();
}
