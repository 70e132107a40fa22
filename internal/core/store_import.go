package core

// importWriter holds the batch writes that bulk import uses.
type importWriter interface{}
