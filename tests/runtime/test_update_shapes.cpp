// An update may change a shared variable's shape, as in Theano; a shape
// error in a later call then names the update and the function that made
// the change (issue 17), and set_value forgets it.
#include <doctest/doctest.h>

#include <string>

#include <hypatia/hypatia.hpp>

#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::contains;
using hypatia_test::message_of;

TEST_CASE("a shape error after an update that reshaped a shared variable names that update") {
  hp::Shared w = hp::shared(hp::array({1., 2., 3., 4.}), "w");
  const hp::Var extra = hp::vector("extra");
  // grow appends to w: Theano allows an update to change the shape.
  const hp::Function grow =
      hp::compile({extra}, {}, {.updates = {{w, hp::concatenate({w, extra})}}, .name = "grow"});
  const hp::Var x = hp::vector("x");
  const hp::Function score = hp::compile({x}, {hp::dot(x, w)}, {.name = "score"});
  CHECK(score(hp::array({1., 1., 1., 1.}))[0].item<double>() == 10.0);

  grow(hp::array({5.}));
  CHECK(w.get_value().shape() == hp::Shape{5});
  for (hp::Mode mode : {hp::Mode::FastRun, hp::Mode::FastCompile, hp::Mode::Debug}) {
    INFO("mode ", static_cast<int>(mode));
    const hp::Function f = hp::compile({x}, {hp::dot(x, w)}, {.mode = mode, .name = "score"});
    const std::string msg = message_of<hp::ShapeError>([&] { f(hp::array({1., 1., 1., 1.})); });
    CHECK(contains(msg, "shared variable 'w'"));
    CHECK(contains(msg, "update 0 of function 'grow' changed its shape from (4,) to (5,)"));
  }
  // An index error is still an IndexError, with the same note.
  const hp::Function pick = hp::compile({}, {w[hp::constant(hp::array({7}, hp::int64))]});
  const std::string msg = message_of<hp::IndexError>([&] { pick(); });
  CHECK(contains(msg, "update 0 of function 'grow'"));

  // Replacing the value by hand forgets the note.
  w.set_value(hp::array({1., 2., 3.}));
  const std::string after = message_of<hp::ShapeError>([&] { score(hp::array({1., 1., 1., 1.})); });
  CHECK(!contains(after, "grow"));
}
