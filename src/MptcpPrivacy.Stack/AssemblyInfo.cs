namespace MptcpPrivacy.Stack;
