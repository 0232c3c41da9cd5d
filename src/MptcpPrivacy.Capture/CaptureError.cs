namespace MptcpPrivacy.Capture;
