/// \file Error classes: everything Hypatia throws derives from hp::Error.
#pragma once

#include <stdexcept>
#include <string>

namespace hypatia {

/// Base of every error Hypatia raises; a std::runtime_error.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A value or variable of the wrong dtype, rank or broadcast pattern.
class TypeError : public Error {
 public:
  using Error::Error;
};

/// Shapes that do not agree (broadcasting, dot, reshape, indexing).
class ShapeError : public Error {
 public:
  using Error::Error;
};

/// An index out of its axis's range (x[idx] with idx >= the axis's length);
/// a ShapeError, as the bound is the axis's length.
class IndexError : public ShapeError {
 public:
  using ShapeError::ShapeError;
};

/// A value that is not allowed (NaN/Inf in Debug mode, a bad argument value).
class InvalidValueError : public Error {
 public:
  using Error::Error;
};

/// Debug mode: a rewrite pass replaced a value by one that computes something
/// else (Theano's BadOptimization). The message names the pass and the node.
class BadOptimizationError : public Error {
 public:
  using Error::Error;
};

/// grad() asked for the gradient with respect to an input the cost does not use.
class DisconnectedInputError : public Error {
 public:
  using Error::Error;
};

/// Generated code failed to compile; carries the source and the compiler's diagnostics.
class CompileError : public Error {
 public:
  CompileError(const std::string& message, std::string source, std::string diagnostics)
      : Error(message + "\n" + diagnostics), source_(std::move(source)),
        diagnostics_(std::move(diagnostics)) {}
  const std::string& source() const { return source_; }
  const std::string& diagnostics() const { return diagnostics_; }

 private:
  std::string source_;
  std::string diagnostics_;
};

}  // namespace hypatia
