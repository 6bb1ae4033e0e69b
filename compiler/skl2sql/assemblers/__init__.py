"""Assemblers: one module per estimator family, registered explicitly here.

Importing this package imports every family module, which registers its estimator classes in
:mod:`skl2sql.assemblers.registry`. Optional libraries (LightGBM, XGBoost) are registered only
when installed.
"""

from __future__ import annotations

# Family modules. Each registers its classes on import.
from . import (  # noqa: F401
    bagging,  # BaggingClassifier/Regressor, IsolationForest
    boosting,  # GradientBoosting*, HistGradientBoosting*, AdaBoost*
    calibration,  # CalibratedClassifierCV, IsotonicRegression
    cluster,  # KMeans, MiniBatchKMeans (predict: nearest centre; transform: distances)
    covariance,  # EllipticEnvelope
    decomposition,  # PCA, TruncatedSVD, ICA, FactorAnalysis, PLS/CCA and LDA transforms, projections
    discriminant,  # QuadraticDiscriminantAnalysis (LDA is linear)
    dummy,  # DummyClassifier, DummyRegressor
    encoders,  # OneHotEncoder, OrdinalEncoder, TargetEncoder
    expansions,  # PolynomialFeatures, SplineTransformer, KBinsDiscretizer
    feature_engine_numeric,  # feature_engine's transformations, discretisers, creation, when installed
    feature_engine_transformers,  # feature_engine's imputers, cappers and selectors, when installed
    gaussian_process,  # GaussianProcessRegressor (predictive mean)
    imbalanced,  # imbalanced-learn's Pipeline (samplers skipped) and balanced ensembles, when installed
    imputers,  # SimpleImputer, MissingIndicator
    kernel_approximation,  # Nystroem, RBFSampler, SkewedChi2Sampler
    kernel_ridge,  # KernelRidge
    kernels,  # kernel values shared by svm and kernel_ridge
    lightgbm_models,  # LGBMClassifier/Regressor, lightgbm.Booster
    linear,  # linear regressors and classifiers
    meta,  # OneVsRest, TransformedTargetRegressor, Voting, Stacking
    mixture,  # GaussianMixture, BayesianGaussianMixture
    multioutput,  # MultiOutputRegressor/Classifier, RegressorChain, ClassifierChain
    naive_bayes,  # GaussianNB, MultinomialNB, ComplementNB, BernoulliNB
    neural_network,  # MLPClassifier, MLPRegressor
    one_vs_one,  # OneVsOneClassifier (and the pairwise helpers of the SVMs)
    pipeline,  # Pipeline, ColumnTransformer, FeatureUnion
    probed_encoders,  # category_encoders' and feature_engine's encoders, when installed
    registry,
    scalers,  # StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler
    search,  # GridSearchCV, RandomizedSearchCV, Halving*SearchCV (best_estimator_), SelfTrainingClassifier
    selectors,  # VarianceThreshold, SelectKBest, SelectFromModel, ...
    semi_supervised,  # LabelPropagation, LabelSpreading (rbf kernel)
    svm,  # SVC, NuSVC, SVR, NuSVR, OneClassSVM (kernel SVMs)
    thresholds,  # FixedThresholdClassifier, TunedThresholdClassifierCV
    transforms,  # Normalizer, Binarizer, PowerTransformer, QuantileTransformer, FunctionTransformer
    trees,  # DecisionTree*, ExtraTree*, RandomForest*, ExtraTrees*
    xgboost_models,  # XGBClassifier/Regressor, xgboost.Booster
)
from .registry import assemble, predict, supported_classes, supported_estimators, transform

__all__ = ["registry", "assemble", "predict", "transform", "supported_estimators", "supported_classes"]
