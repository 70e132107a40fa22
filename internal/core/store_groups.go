package core

// groupReader is the store's read half for workspaces and groups.
type groupReader interface{}

// groupWriter is the store's write half for workspaces and groups.
type groupWriter interface{}
